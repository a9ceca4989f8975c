"""The forums app's models by subdomain; import them from here (`from forums.models import X`)."""

from forums.models.commitments import (  # noqa: F401
    OPEN_STATUSES,
    Commitment,
    CommitmentQuerySet,
    CommitmentStatus,
    CommitmentStatusChange,
    StatusChangeQuerySet,
    StatusChangeVoid,
)
from forums.models.figures import (  # noqa: F401
    CommitmentFigure,
    CommitmentTotal,
    MeetingFigure,
    MeetingTotal,
)
from forums.models.forums import (  # noqa: F401
    Forum,
    ForumMembership,
    ForumMembershipQuerySet,
    KnownGap,
    KnownGapKind,
    KnownGapQuerySet,
    MembershipRole,
)
from forums.models.meetings import (  # noqa: F401
    AgendaItem,
    Attendance,
    AttendanceMode,
    AttendanceQuerySet,
    AttendanceStatus,
    ChildOfMeetingQuerySet,
    Document,
    DocumentKind,
    DocumentQuerySet,
    Meeting,
    MeetingQuerySet,
    MeetingStatus,
)
from forums.models.sources import (  # noqa: F401
    Recommendation,
    Report,
    Source,
    SourceKind,
)
