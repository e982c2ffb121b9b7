"""The PI Web API routes, one module per controller area; `ROUTER` holds them all."""

from mock_server.routes import assets, batch, categories, data, frames, notifications, summary, system, updates
from mock_server.routing import Router

ROUTER = Router()
for _module in (system, assets, categories, updates, data, summary, frames, notifications, batch):
    ROUTER.include(_module.router)
