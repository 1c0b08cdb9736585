"""The peer of the full-sync benchmark: the same pull as Manage365's full
sync, written the way an MSP engineer would write it on Microsoft's
official Graph SDK for Python (msgraph-sdk): asyncio, one task per tenant
under a semaphore, following @odata.nextLink.

Two variants, chosen with --variant:

- models: the SDK's typed models, as its documentation shows
  (`await client.security.incidents.get(...)`).
- raw: the same request builders and the same SDK transport (the httpx
  client with the SDK's default middleware: retry, redirect, telemetry),
  but the body is read as bytes and parsed with json.loads, skipping the
  model layer. This is the fair transport peer.

The simulator speaks plain http on loopback. The SDK itself does not refuse
http base URLs; only azure-identity's token provider insists on https for
non-localhost hosts, so the token comes from a small AccessTokenProvider
that does the client-credentials grant against the simulator's
/{tenant}/oauth2/v2.0/token, exactly what ClientSecretCredential does.

Prints one JSON object on stdout:
{"variant", "tenants", "incidents", "alerts", "wallSeconds", "errors"}.
"""

import argparse
import asyncio
import json
import sys
import time

import httpx
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.security.alerts_v2.alerts_v2_request_builder import (
    Alerts_v2RequestBuilder,
)
from msgraph.generated.security.incidents.incidents_request_builder import (
    IncidentsRequestBuilder,
)
from msgraph.generated.security.secure_scores.secure_scores_request_builder import (
    SecureScoresRequestBuilder,
)
from msgraph.generated.tenant_relationships.delegated_admin_customers.delegated_admin_customers_request_builder import (
    DelegatedAdminCustomersRequestBuilder,
)
from msgraph_core import GraphClientFactory

SCOPE = "https://graph.microsoft.com/.default"


class ClientSecretToken(AccessTokenProvider):
    """Client-credentials token of one tenant, cached until it expires."""

    def __init__(self, http, login_url, tenant, client_id, secret):
        self.http, self.url = http, f"{login_url}/{tenant}/oauth2/v2.0/token"
        self.form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": SCOPE,
        }
        self.token, self.expires = None, 0.0
        self.lock = asyncio.Lock()

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        async with self.lock:
            if self.token is None or time.monotonic() > self.expires - 300:
                reply = await self.http.post(self.url, data=self.form)
                reply.raise_for_status()
                body = reply.json()
                self.token = body["access_token"]
                self.expires = time.monotonic() + float(body["expires_in"])
            return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def graph_client(args, http, tenant):
    """A GraphServiceClient for one tenant over the shared SDK transport."""
    token = ClientSecretToken(http.token, args.url, tenant, args.client_id, args.client_secret)
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(token), client=http.graph)
    client = GraphServiceClient(request_adapter=adapter)
    adapter.base_url = f"{args.url}/v1.0"
    return client, adapter


def config(params):
    return RequestConfiguration(query_parameters=params)


async def read_all_models(builder, cfg):
    """Every item of a collection as SDK models, following nextLinks."""
    page = await builder.get(request_configuration=cfg)
    items = list(page.value or [])
    while page.odata_next_link:
        page = await builder.with_url(page.odata_next_link).get()
        items.extend(page.value or [])
    return items


async def read_all_raw(adapter, builder, cfg):
    """Every item of a collection as JSON dicts, through the SDK transport."""
    items, info = [], builder.to_get_request_information(cfg)
    while True:
        body = await adapter.send_primitive_async(info, "bytes", None)
        page = json.loads(body)
        items.extend(page.get("value", []))
        link = page.get("@odata.nextLink")
        if not link:
            return items
        info = builder.with_url(link).to_get_request_information()


async def pull_tenant(args, http, tenant):
    """The full pull of one tenant, the same reads as the engine's: incidents,
    every alert from alerts_v2 (nested and standalone), organization, Secure
    Score and control profiles."""
    client, adapter = graph_client(args, http, tenant)
    sec = client.security
    reads = [
        (sec.incidents, config(IncidentsRequestBuilder.IncidentsRequestBuilderGetQueryParameters(
            top=args.top))),
        (sec.alerts_v2, config(Alerts_v2RequestBuilder.Alerts_v2RequestBuilderGetQueryParameters(
            top=args.top))),
        (client.organization, None),
        (sec.secure_scores, config(SecureScoresRequestBuilder.SecureScoresRequestBuilderGetQueryParameters(
            top=14))),
        (sec.secure_score_control_profiles, None),
    ]
    results = []
    for builder, cfg in reads:
        if args.variant == "models":
            results.append(await read_all_models(builder, cfg))
        else:
            results.append(await read_all_raw(adapter, builder, cfg))
    incidents, alerts = results[0], results[1]
    ids = {a.id if args.variant == "models" else a["id"] for a in alerts}
    return len(incidents), len(ids)


async def customers(args, http):
    """Customer tenant ids from GDAP, with the partner's token."""
    client, adapter = graph_client(args, http, args.partner_tenant)
    builder = client.tenant_relationships.delegated_admin_customers
    cfg = config(DelegatedAdminCustomersRequestBuilder.DelegatedAdminCustomersRequestBuilderGetQueryParameters(
        top=300))
    if args.variant == "models":
        return [c.tenant_id for c in await read_all_models(builder, cfg)]
    return [c["tenantId"] for c in await read_all_raw(adapter, builder, cfg)]


class Http:
    """The two HTTP clients: the SDK transport and the token client."""

    def __init__(self, cap):
        limits = httpx.Limits(max_connections=cap + 8, max_keepalive_connections=cap + 8)
        base = httpx.AsyncClient(timeout=60.0, limits=limits)
        self.graph = GraphClientFactory.create_with_default_middleware(client=base)
        self.token = httpx.AsyncClient(timeout=60.0, limits=limits)


async def main(args):
    http = Http(args.concurrency)
    started = time.perf_counter()
    tenants = (await customers(args, http))[: args.max_tenants or None]
    gate = asyncio.Semaphore(args.concurrency)
    errors = []

    async def one(tenant):
        async with gate:
            try:
                return await pull_tenant(args, http, tenant)
            except Exception as e:  # a failing tenant must not stop the others
                errors.append(f"{tenant}: {type(e).__name__}: {e}"[:300])
                return 0, 0

    counts = await asyncio.gather(*(one(t) for t in tenants))
    wall = time.perf_counter() - started
    await http.graph.aclose()
    await http.token.aclose()
    print(json.dumps({
        "variant": args.variant,
        "tenants": len(tenants),
        "incidents": sum(c[0] for c in counts),
        "alerts": sum(c[1] for c in counts),
        "wallSeconds": wall,
        "errors": errors[:5],
        "errorCount": len(errors),
    }))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="simulator root (Graph and login)")
    parser.add_argument("--partner-tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--variant", choices=["models", "raw"], default="models")
    parser.add_argument("--concurrency", type=int, default=16, help="tenants pulled at once")
    parser.add_argument("--max-tenants", type=int, default=0, help="pull only the first N (0 = all)")
    parser.add_argument("--top", type=int, default=1000, help="$top on incidents and alerts_v2")
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
