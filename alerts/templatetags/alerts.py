from django import template
from django.urls import reverse
from django.utils.http import urlencode

from alerts.changes import TOPIC_MODELS
from alerts.models import Topic

register = template.Library()

_TOPIC_OF = {model: topic for topic, model in TOPIC_MODELS.items()}


@register.simple_tag
def alerts_url(record=None, query=""):
    """The subscribe page for `record` (a forum, authority, person, commitment or
    recommendation) or for the search `query`; empty when it follows neither."""
    if record:  # an unset template variable arrives as ""
        topic = _TOPIC_OF.get(type(record))
        if topic is None:
            return ""
        value = record.pk if topic == Topic.COMMITMENT else record.slug
        return f"{reverse('alerts:subscribe')}?{urlencode({topic: value})}"
    query = " ".join(str(query or "").split())
    if query and len(query) <= 200:
        return f"{reverse('alerts:subscribe')}?{urlencode({'q': query})}"
    return ""
