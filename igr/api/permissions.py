"""API permissions. Kept apart from igr.api.base because DRF imports the default
permission classes while rest_framework.views is still loading."""

from rest_framework import permissions


class ReadOnlyOrStaffModelPermissions(permissions.DjangoModelPermissions):
    """Anyone may read; writing needs a staff account holding the model permission the
    admin would ask for (add_… for POST, change_… for PUT/PATCH)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            # The view has no such operation (the read-only aggregates, or a write the
            # route does not offer): let it answer 405 rather than ask for a model
            # permission it has no model for.
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        return super().has_permission(request, view)
