"""Dependencies shared by the routers: the store and the settings of the running app."""

from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings
from graph.store import Store

__all__ = ["SettingsDep", "StoreDep"]


async def get_store(request: Request) -> Store:
    """The app's store, opened on start-up (``async``: FastAPI would run a plain function in
    its thread pool, a second thread hand-off on every request)."""
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
