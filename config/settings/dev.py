"""Demo / local development: DEBUG on, console e-mail, embedded defaults."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
LEDE_DEMO = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
