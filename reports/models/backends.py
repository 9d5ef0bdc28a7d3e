"""Authentication: Django's model backend, loading the signed-in user with their agency."""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Nearly every page reads ``request.user.agency``: what an oversight user may see
    is the subtree beneath it, and a clerk's new report belongs to it. Joining it into
    the query that loads the user on each request saves a query on those pages."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("agency").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
