"""A mock PI Web API server as strict as the real one: `create_app(MockSettings(...))`."""

from mock_server.settings import MockSettings

__all__ = ["MockSettings", "create_app"]


def __getattr__(name: str):
    if name == "create_app":  # imported lazily so `from mock_server import MockSettings` stays light
        from mock_server.app import create_app

        return create_app
    raise AttributeError(name)
