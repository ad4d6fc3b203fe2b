"""A Web Communicator client in Python, written from docs/protocol.md alone.

Standard library plus paho-mqtt (Debian: python3-paho-mqtt, 1.6 or later). It registers as
WEBSOCKET, gets Cognito credentials, signs the MQTT-over-WebSocket URL with SigV4 (session token
appended after signing), connects with MQTT 3.1.1 and subscribes to its channels. The same steps
are what a C++ (Unreal) or C# (Unity) client does; see README.md.
"""

import datetime
import hashlib
import hmac
import json
import os
import random
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt

SIGNING_SERVICE = "iotdevicegateway"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
COGNITO_LOGIN = "cognito-identity.amazonaws.com"


class ServiceError(Exception):
    """The service API answered an error: `{"error": {"code", "message"}}` (protocol.md, Errors)."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


# --- the service API ------------------------------------------------------------------------

def _call(url, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        try:
            problem = json.loads(text)["error"]
            raise ServiceError(error.code, problem["code"], problem["message"]) from None
        except (ValueError, KeyError, TypeError):
            raise ServiceError(error.code, f"HTTP_{error.code}", text[:200]) from None


def _service_path(service_url, path):
    # Paths are relative to the service's base URL, which may have a path of its own.
    return service_url.rstrip("/") + "/" + path


def register(service_url, client_id=None, service_token=None):
    """POST /register as WEBSOCKET; with client_id and service_token, keeps that identity."""
    body = {"type": "WEBSOCKET"}
    headers = {}
    if client_id is not None:
        body["clientId"] = client_id
        headers["authorization"] = f"Bearer {service_token}"
    return _call(_service_path(service_url, "register"), "POST", body, headers)


def client_status(service_url, service_token):
    """GET /status: "active" or "banned"."""
    answer = _call(_service_path(service_url, "status"), headers={"authorization": f"Bearer {service_token}"})
    return answer["status"]


def cognito_credentials(registration):
    """Cognito GetCredentialsForIdentity over the AWS JSON protocol, proved by the OpenID token."""
    endpoint = registration.get("cognitoEndpoint") or f"https://cognito-identity.{registration['region']}.amazonaws.com/"
    body = {"IdentityId": registration["identityId"], "Logins": {COGNITO_LOGIN: registration["openIdToken"]}}
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityService.GetCredentialsForIdentity"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read().decode("utf-8", "replace") or "{}")
        raise ServiceError(error.code, problem.get("__type", f"HTTP_{error.code}"), problem.get("message", "")) from None
    credentials = answer["Credentials"]
    return {
        "accessKeyId": credentials["AccessKeyId"],
        "secretAccessKey": credentials["SecretKey"],
        "sessionToken": credentials["SessionToken"],
        "expiration": float(credentials["Expiration"]),
    }


# --- SigV4 (protocol.md, "Connecting with the SigV4-presigned URL") -------------------------

def uri_encode(value):
    """Every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex), "/" included."""
    return urllib.parse.quote(value, safe="-_.~")


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def presign(endpoint_url, region, credentials, now=None, expires_in=None):
    """Returns (url, signed_host, parts): the presigned URL, the Host value signed, and every
    intermediate string (for checking against docs/fixtures/sigv4-iot-presigned-url.json)."""
    parsed = urllib.parse.urlsplit(endpoint_url)
    default_port = 443 if parsed.scheme in ("wss", "https") else 80
    signed_host = parsed.hostname if parsed.port in (None, default_port) else f"{parsed.hostname}:{parsed.port}"
    path = parsed.path or "/mqtt"
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    scope = f"{date}/{region}/{SIGNING_SERVICE}/aws4_request"
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{credentials['accessKeyId']}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-SignedHeaders": "host",
    }
    if expires_in is not None:
        params["X-Amz-Expires"] = str(expires_in)
    canonical_query = "&".join(f"{uri_encode(k)}={uri_encode(v)}" for k, v in sorted(params.items()))
    canonical_request = "\n".join(["GET", path, canonical_query, f"host:{signed_host}", "", "host", EMPTY_SHA256])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
    key = ("AWS4" + credentials["secretAccessKey"]).encode("utf-8")
    for part in (date, region, SIGNING_SERVICE, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    order = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"]
    query = "&".join(f"{k}={uri_encode(params[k])}" for k in order if k in params) + f"&X-Amz-Signature={signature}"
    # The session token is not signed: it goes last, after the signature.
    if credentials.get("sessionToken"):
        query += f"&X-Amz-Security-Token={uri_encode(credentials['sessionToken'])}"
    netloc = parsed.hostname if parsed.port is None else f"{parsed.hostname}:{parsed.port}"
    url = f"{parsed.scheme}://{netloc}{path}?{query}"
    parts = {"canonicalQuery": canonical_query, "canonicalRequest": canonical_request, "stringToSign": string_to_sign, "signature": signature}
    return url, signed_host, parts


# --- the MQTT connection ----------------------------------------------------------------------

class WebcommClient:
    """One identity's connection: register, sign, connect, subscribe, reconnect with backoff,
    and stop for good when the service says the client is banned."""

    def __init__(self, service_url, on_event, state_file=None, keepalive=30):
        self.service_url = service_url
        self.on_event = on_event
        self.state_file = state_file
        self.keepalive = keepalive
        self.registration = None
        self.credentials = None
        self.topics = {}
        self.banned = False
        self._ca_file = None

    def _emit(self, event, **fields):
        self.on_event({"event": event, **fields})

    def _load_state(self):
        if self.state_file is None or not os.path.exists(self.state_file):
            return None
        with open(self.state_file, encoding="utf-8") as handle:
            return json.load(handle)

    def _save_state(self):
        if self.state_file is None:
            return
        # The service token is a secret: readable by this user only.
        fd = os.open(self.state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"clientId": self.registration["clientId"], "serviceToken": self.registration["serviceToken"]}, handle)

    def register(self):
        state = self._load_state()
        if state is None:
            self.registration = register(self.service_url)
        else:
            self.registration = register(self.service_url, state["clientId"], state["serviceToken"])
        self._save_state()
        self.topics = {channel["topic"]: channel["name"] for channel in self.registration["channels"]}
        self._emit("registered", clientId=self.registration["clientId"], channels=[c["name"] for c in self.registration["channels"]])

    def _fresh_credentials(self):
        # Credentials last 1 h and the OpenID token 15 min: renew both before they run out.
        if self.credentials is not None and self.credentials["expiration"] - time.time() > 300:
            return self.credentials
        expires_at = datetime.datetime.fromisoformat(self.registration["openIdTokenExpiresAt"].replace("Z", "+00:00"))
        if expires_at.timestamp() - time.time() < 60:
            self.registration = register(self.service_url, self.registration["clientId"], self.registration["serviceToken"])
        self.credentials = cognito_credentials(self.registration)
        return self.credentials

    def _mqtt_client(self):
        endpoint = self.registration["endpoint"]["url"]
        url, signed_host, _ = presign(endpoint, self.registration["region"], self._fresh_credentials())
        parsed = urllib.parse.urlsplit(url)
        client = mqtt.Client(client_id=self.registration["clientId"], clean_session=True, protocol=mqtt.MQTTv311, transport="websockets")
        # paho sends "Host: host:port" even on 443; send exactly the host that was signed.
        client.ws_set_options(path=f"{parsed.path}?{parsed.query}", headers={"Host": signed_host})
        if parsed.scheme == "wss":
            if self._ca_file is None and self.registration.get("caPem"):
                handle = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)
                handle.write(self.registration["caPem"])
                handle.close()
                self._ca_file = handle.name
            client.tls_set(ca_certs=self._ca_file, cert_reqs=ssl.CERT_REQUIRED)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client, parsed

    def _on_connect(self, client, _userdata, _flags, rc):
        if rc != 0:
            self._emit("refused", connackCode=rc)
            return
        self._emit("connected")
        # Exactly the topics the service gave; at most 8 filters per SUBSCRIBE.
        topics = list(self.topics)
        for start in range(0, len(topics), 8):
            client.subscribe([(topic, 1) for topic in topics[start:start + 8]])

    def _on_subscribe(self, _client, _userdata, _mid, granted_qos):
        self._emit("subscribed", granted=list(granted_qos))

    def _on_message(self, _client, _userdata, message):
        channel = self.topics.get(message.topic)
        try:
            value = json.loads(message.payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._emit("bad-message", topic=message.topic)
            return
        self._emit("message", channel=channel, topic=message.topic, message=value, retained=bool(message.retain))

    def run(self, deadline):
        """Connects and reconnects until banned or `deadline` (time.monotonic()) passes."""
        attempt = 0
        while not self.banned and time.monotonic() < deadline:
            stayed_up = False
            try:
                client, parsed = self._mqtt_client()
                client.connect(parsed.hostname, parsed.port or (443 if parsed.scheme == "wss" else 80), keepalive=self.keepalive)
                connected_at = time.monotonic()
                rc = mqtt.MQTT_ERR_SUCCESS
                while rc == mqtt.MQTT_ERR_SUCCESS and time.monotonic() < deadline:
                    rc = client.loop(timeout=0.5)
                stayed_up = time.monotonic() - connected_at > 2
                if rc == mqtt.MQTT_ERR_SUCCESS:
                    client.disconnect()
                    break
                self._emit("dropped", rc=rc)
            except (OSError, mqtt.WebsocketConnectionError, ServiceError) as error:
                # An HTTP 403 at the upgrade shows up here (paho does not give the status).
                self._emit("connect-failed", error=str(error))
                self.credentials = None
            # After any drop or refusal: ask the service before trying again.
            if client_status(self.service_url, self.registration["serviceToken"]) == "banned":
                self.banned = True
                self._emit("banned")
                break
            attempt = 0 if stayed_up else attempt + 1
            # Full-jitter backoff, 1 s doubling to 30 s.
            time.sleep(random.uniform(0, min(30.0, 2.0 ** attempt)))
        if self._ca_file is not None:
            os.unlink(self._ca_file)
