"""Who may ask the web server what: the ``[http]`` keys, ``claimwatch check``, and real
requests against the server on loopback (allowed networks, the Host check, credentials)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimwatch import pipeline
from claimwatch.baselines import load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.errors import ConfigError
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime, open_runtime
from claimwatch.store import open_store
from claimwatch.web import WebServer
from claimwatch.webaccess import access_for, client_address, host_name
from tests import freedonia
from tests.commands import claimwatch

TOKEN = "s3cret-token-for-tests"


def write_config(folder: Path, http: str) -> Path:
    (folder / "baselines").mkdir(exist_ok=True)
    (folder / "baselines" / "f.yaml").write_text(
        freedonia.baseline(freedonia.BRIDGE), encoding="utf-8"
    )
    path = folder / "claimwatch.toml"
    path.write_text(freedonia.CONFIG.replace("[alerts.log]", f"{http}\n[alerts.log]"), "utf-8")
    return path


def make_config(folder: Path, **http: Any) -> Config:
    (folder / "baseline.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), encoding="utf-8")
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"allow_private_addresses": True, **http},
        "alerts": {"log": {"path": "alerts.jsonl"}},
    }
    return config_from_mapping(data, path=folder / "claimwatch.toml")


class Current:
    """The runtime the server reads; a test swaps it as a reload does."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def reload(self, config: Config) -> None:
        self.rt = dataclasses.replace(self.rt, config=config)


@asynccontextmanager
async def serving(config: Config, host: str = "127.0.0.1") -> AsyncIterator[tuple[str, Current]]:
    store = open_store(config.state)
    metrics = Metrics(process=False)
    current = Current(
        open_runtime(config, load_baselines(config.baselines), store, metrics=metrics)
    )
    web = WebServer(lambda: current.rt, metrics, lambda: None)
    await web.start((host, 0))
    try:
        assert web.url is not None
        yield web.url, current
    finally:
        await web.stop()
        await pipeline.close_runtime(current.rt)
        store.close()


async def get(url: str, **options: Any) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        return await http.get(url, **options)


# ---- the config and `claimwatch check` ---------------------------------------------------


def test_check_refuses_a_public_listen_without_protection(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[http]\nlisten = "0.0.0.0:8650"')
    for command in ("check", "run"):
        result = claimwatch(command, "--config", str(config))
        assert result.returncode == 2, result.stderr
        assert f"{config}:" in result.stderr and ": http.listen: '0.0.0.0:8650' is" in result.stderr
        assert "http.allowed_networks" in result.stderr and "http.auth_token_file" in result.stderr


def test_check_says_what_protects_the_server(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n", encoding="utf-8")
    http = (
        '[http]\nlisten = "0.0.0.0:8650"\nallowed_networks = ["10.0.0.0/8", "192.168.1.7"]\n'
        'allowed_hosts = ["Status.Example.org."]\nauth_token_file = "token"'
    )
    result = claimwatch("check", "--config", str(write_config(tmp_path, http)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "http: serving on 0.0.0.0:8650 (reachable beyond this machine)" in out
    assert "clients from: 10.0.0.0/8, 192.168.1.7/32 (allowed_networks)" in out
    assert "Host header: status.example.org (allowed_hosts)" in out
    assert "credentials: bearer token (auth_token_file)" in out
    assert TOKEN not in out
    loopback = claimwatch("check", "--config", str(write_config(tmp_path, "[http]\n")))
    assert "http: not serving" in loopback.stdout
    local = write_config(tmp_path, '[http]\nlisten = "127.0.0.1:8650"')
    out = claimwatch("check", "--config", str(local)).stdout
    assert "(loopback only)" in out and "clients from: 127.0.0.0/8, ::1/128 (default)" in out
    assert "credentials: none" in out


@pytest.mark.parametrize(
    ("http", "words"),
    [
        ({"listen": "[::]:8650"}, "http.listen: '[::]:8650' is reachable beyond this machine"),
        ({"allowed_networks": ["10.0.0.0/33"]}, "http.allowed_networks[0]: must be an address"),
        ({"allowed_networks": []}, "http.allowed_networks: must name at least one network"),
        ({"allowed_hosts": ["a b"]}, "http.allowed_hosts[0]: must be a host name"),
        ({"allowed_hosts": ["example.org:8650"]}, "http.allowed_hosts[0]: must be a host name"),
        ({"auth_username": "monitor"}, "auth_username and auth_password_file go together"),
        ({"auth_token_file": "missing"}, "http.auth_token_file: cannot read"),
        ({"auth_token_file": "empty"}, "http.auth_token_file: "),
        ({"healthz_max_poll_age": "30s"}, 'must be "0" (off) or at least 60 seconds'),
        ({"listen_max_clients": 0}, "http.listen_max_clients: "),
    ],
)
def test_invalid_server_keys_name_the_key(tmp_path: Path, http: dict[str, Any], words: str) -> None:
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, **http)
    assert words in str(caught.value)


def test_protection_makes_a_public_listen_valid(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("pw\n", encoding="utf-8")
    (tmp_path / "write-token").write_text(TOKEN, encoding="utf-8")
    listed = make_config(
        tmp_path, listen="0.0.0.0:8650", allowed_networks=["10.1.0.0/16"], token_file="write-token"
    )
    assert listed.http.allowed_networks == ("10.1.0.0/16",)
    assert listed.http.token_file == str(tmp_path / "write-token")  # made absolute
    basic = make_config(
        tmp_path, listen="example.org:8650", auth_username="m", auth_password_file="password"
    )
    assert basic.http.auth_password_file == str(tmp_path / "password")  # made absolute


# ---- the rules, as functions ---------------------------------------------------------------


def test_host_names_and_client_addresses() -> None:
    assert host_name("Example.org.:8650") == "example.org"
    assert host_name("[::1]:8650") == "::1" and host_name("[::1]") == "::1"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert str(client_address("::ffff:10.1.2.3")) == "10.1.2.3"
    assert str(client_address("fe80::1%eth0")) == "fe80::1"
    assert client_address("not an address") is None


def test_with_credentials_only_anyone_may_connect_but_healthz_is_open_to_loopback(
    tmp_path: Path,
) -> None:
    (tmp_path / "token").write_text(TOKEN, encoding="utf-8")
    config = make_config(tmp_path, listen="0.0.0.0:8650", auth_token_file="token")
    access = access_for(config.http, "0.0.0.0")
    outsider, local = "192.0.2.7", "127.0.0.1"
    assert access.admits(outsider) and access.admits(local)
    assert not access.allows("/healthz", outsider, None)
    assert access.allows("/healthz", outsider, f"Bearer {TOKEN}")
    assert access.allows("/healthz", local, None)
    assert not access.allows("/", local, None)
    listed = make_config(
        tmp_path, listen="0.0.0.0:8650", allowed_networks=["10.0.0.0/8"], token_file="token"
    )
    assert not access_for(listed.http, "0.0.0.0").admits(outsider)
    assert access_for(listed.http, "0.0.0.0").allows("/", "10.9.9.9", None)  # no credentials set


# ---- real requests -------------------------------------------------------------------------


async def test_the_host_header_must_name_this_server(tmp_path: Path) -> None:
    async with serving(make_config(tmp_path)) as (url, _):
        port = url.rsplit(":", 1)[1].strip("/")
        for path in ("/", "/healthz", "/metrics"):
            refused = await get(url + path.lstrip("/"), headers={"Host": "evil.example"})
            assert (refused.status_code, refused.text) == (421, "unknown host\n")
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "[::1]", "LOCALHOST."):
            assert (await get(url + "healthz", headers={"Host": host})).status_code == 200
        reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
        writer.write(b"GET /healthz HTTP/1.0\r\n\r\n")  # HTTP/1.0 without any Host
        assert (await reader.readline()).startswith(b"HTTP/1.0 421")
        writer.close()


async def test_configured_host_names_replace_the_defaults(tmp_path: Path) -> None:
    config = make_config(tmp_path, allowed_hosts=["status.example.org"])
    async with serving(config) as (url, _):
        assert (await get(url + "healthz")).status_code == 421  # Host: 127.0.0.1:port
        named = await get(url + "healthz", headers={"Host": "Status.Example.org:8650"})
        assert named.status_code == 200


async def test_clients_outside_the_allowed_networks_are_closed_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = make_config(tmp_path, allowed_networks=["10.0.0.0/8"])
    async with serving(config) as (url, _):
        for _ in range(20):
            with pytest.raises(httpx.TransportError):
                await get(url + "healthz")
    refused = [r.__dict__["claimwatch_fields"] for r in caplog.records if r.msg == "web.client"]
    # Twenty refusals, two lines: the first at once, the rest counted (logged on the way out).
    assert [(f["status"], f["count"]) for f in refused] == [("refused", 1), ("refused", 19)]
    assert "127.0.0.1 is not in [http] allowed_networks" in refused[0]["error"]


async def test_a_listed_network_is_served_without_credentials(tmp_path: Path) -> None:
    config = make_config(tmp_path, allowed_networks=["127.0.0.1"])
    async with serving(config) as (url, _):
        assert (await get(url)).status_code == 200


async def test_a_bearer_token(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(f"{TOKEN}\n", encoding="utf-8")
    async with serving(make_config(tmp_path, auth_token_file="token")) as (url, _):
        for path in ("", "metrics"):
            refused = await get(url + path)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith('Bearer realm="claimwatch"')
            for wrong in (f"Bearer {TOKEN}x", "Bearer", f"Basic {TOKEN}", TOKEN):
                assert (await get(url + path, headers={"Authorization": wrong})).status_code == 401
            good = await get(url + path, headers={"Authorization": f"Bearer {TOKEN}"})
            assert good.status_code == 200
        assert (await get(url + "healthz")).status_code == 200  # from loopback: no credentials


async def test_basic_auth(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("pass word\n", encoding="utf-8")
    config = make_config(tmp_path, auth_username="monitor", auth_password_file="password")
    async with serving(config) as (url, _):
        refused = await get(url + "metrics")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Basic realm="claimwatch"')
        assert (await get(url + "metrics", auth=("monitor", "pass wordx"))).status_code == 401
        assert (await get(url + "metrics", auth=("other", "pass word"))).status_code == 401
        broken = {"Authorization": "Basic not-base64!"}
        assert (await get(url + "metrics", headers=broken)).status_code == 401
        assert (await get(url + "metrics", auth=("monitor", "pass word"))).status_code == 200
        encoded = base64.b64encode(b"monitor:pass word").decode()
        assert (await get(url, headers={"Authorization": f"basic {encoded}"})).status_code == 200


async def test_a_reload_applies_new_rules_to_the_next_request(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first", encoding="utf-8")
    config = make_config(tmp_path, auth_token_file="token")
    async with serving(config) as (url, current):
        assert (await get(url, headers={"Authorization": "Bearer first"})).status_code == 200
        token.write_text("second", encoding="utf-8")  # rotated: read again on reload
        current.reload(make_config(tmp_path, auth_token_file="token", allowed_hosts=["x.test"]))
        assert (await get(url, headers={"Authorization": "Bearer second"})).status_code == 421
        ok = await get(url, headers={"Authorization": "Bearer second", "Host": "x.test"})
        assert ok.status_code == 200
        old = await get(url, headers={"Authorization": "Bearer first", "Host": "x.test"})
        assert old.status_code == 401


def test_a_secret_that_vanished_refuses_every_credential(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN, encoding="utf-8")
    config = make_config(tmp_path, auth_token_file="token")
    (tmp_path / "token").unlink()
    access = access_for(config.http, "127.0.0.1")
    assert access.broken is not None and "token" in access.broken
    assert not access.allows("/", "127.0.0.1", f"Bearer {TOKEN}")
    assert access.allows("/healthz", "127.0.0.1", None)
