from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums, meetings and commitments"

    def ready(self):
        # Stored figures follow every ORM write (forums.stats.figures, forums.signals).
        from forums import signals

        signals.connect()
