"""The abstract bases every editable record shares: timestamps, and the publication state
that decides what the public sees. Plain Django models with no app of their own."""

from django.db import models


class TimeStampedModel(models.Model):
    # Indexed: API clients sync with ?modified_since=, which filters on updated_at.
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def drafts(self):
        return self.filter(publication_state=PublicationState.DRAFT)


class PublishableModel(TimeStampedModel):
    """A record the public sees only once staff have checked and published it."""

    publication_state = models.CharField(
        max_length=10,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(
        blank=True, help_text="Why a published record was withdrawn; shown to staff."
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.publication_state == PublicationState.PUBLISHED

    def cites_a_source(self) -> bool:
        """Whether the record rests on a source, as publishing requires (igr.policy)."""
        return self.sources.exists()

    def publication_dependents(self):
        """Records that are published and withdrawn together with this one (igr.policy)."""
        return ()
