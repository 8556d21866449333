"""resolver: entity resolution for investigators of counterfeit sellers on Chinese platforms."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("resolver")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"
