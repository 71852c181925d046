"""The shared cache, when REDIS_URL names one: Django's own Redis backend, forgiving a Redis that
is down or slow. Everything we cache can be built again, so a failed read is a miss and a failed
write is skipped (and logged), rather than an error page. The rate limiters never use it: they
count in the database (core.ratelimit)."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _unavailable(error):
    logger.warning("The shared cache is unavailable (%s): carrying on without it", error)


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _unavailable(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _unavailable(error)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            _unavailable(error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _unavailable(error)
            return list(data)

    def clear(self):
        try:
            return super().clear()
        except RedisError as error:
            _unavailable(error)
            return False
