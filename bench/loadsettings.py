"""Settings of the load benchmark's gunicorn: the production settings (every value from
the environment, as deployed), with the floors' URLconf mounted beside the app's."""

from goireport.settings import *  # noqa: F403

ROOT_URLCONF = "floor"
