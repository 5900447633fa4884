// redline dashboard: the only script. Every page is complete without it; it adds
// - the reader's local time beside every UTC time;
// - a countdown beside each deadline (console);
// - the live view of the signed-in party's hotline events (server-sent events, console);
// - signing in the browser: the user's Ed25519 key (PKCS#8 PEM from `redline keygen`) is read
//   from a local file and used with WebCrypto; it never leaves the browser.
(function () {
  "use strict";

  function addLocalTimes() {
    var format;
    try {
      format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "medium", timeStyle: "short"
      });
    } catch (error) { return; }
    document.querySelectorAll("time[datetime]").forEach(function (element) {
      if (element.dataset.localised) { return; }
      var date = new Date(element.getAttribute("datetime"));
      if (isNaN(date.getTime())) { return; }
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = "(" + format.format(date) + ")";
      element.after(local);
      element.dataset.localised = "1";
    });
  }

  // --- countdowns -------------------------------------------------------------------------
  function pad(number) { return number < 10 ? "0" + number : String(number); }
  function remainingText(milliseconds) {
    var seconds = Math.floor(milliseconds / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var text = hours + " h " + pad(minutes) + " min " + pad(rest) + " s";
    return days > 0 ? days + " d " + text : text;
  }
  function updateCountdowns() {
    var now = Date.now();
    document.querySelectorAll("time.countdown").forEach(function (element) {
      var deadline = new Date(element.getAttribute("datetime")).getTime();
      if (isNaN(deadline)) { return; }
      var output = element.parentNode.querySelector(".countdown-text");
      if (!output) {
        output = document.createElement("span");
        output.className = "countdown-text";
        output.setAttribute("aria-hidden", "true");
        element.parentNode.appendChild(output);
      }
      var left = deadline - now;
      if (left > 0) {
        output.textContent = " " + remainingText(left) + " " + (element.dataset.left || "");
        output.classList.remove("overdue");
      } else {
        output.textContent = " " + (element.dataset.overdue || "overdue");
        output.classList.add("overdue");
      }
    });
  }

  // --- live view --------------------------------------------------------------------------
  function startLive() {
    var live = document.getElementById("live");
    if (!live || !live.dataset.stream || !window.EventSource) { return; }
    var labels = {};
    try { labels = JSON.parse(live.dataset.stateLabels || "{}"); } catch (error) { labels = {}; }
    var source = new EventSource(live.dataset.stream);
    source.addEventListener("thread-state", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      var state = event.detail && event.detail.state;
      if (!state) { return; }
      document.querySelectorAll('[data-thread-state="' + event.thread + '"]').forEach(function (element) {
        element.textContent = labels[state] || state;
        element.dataset.state = state;
      });
      live.dataset.lastEvent = String(event.sequence);
    });
    source.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      live.dataset.lastEvent = String(event.sequence);
      var log = document.getElementById("live-log");
      if (log && live.dataset.thread === event.thread && live.dataset.newMessage) {
        var item = document.createElement("li");
        item.textContent = live.dataset.newMessage + " (" + ((event.detail && event.detail.kind) || "") + ")";
        log.appendChild(item);
      }
    });
    source.addEventListener("open", function () { live.dataset.connected = "1"; });
  }

  // --- signing ----------------------------------------------------------------------------
  var PKCS8_V1_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
    0x04, 0x22, 0x04, 0x20];
  var signingKey = null;
  var signingKeyId = null;

  function base64ToBytes(text) {
    var binary = atob(text.replace(/\s+/g, ""));
    var bytes = new Uint8Array(binary.length);
    for (var index = 0; index < binary.length; index += 1) { bytes[index] = binary.charCodeAt(index); }
    return bytes;
  }
  function bytesToBase64(bytes) {
    var binary = "";
    for (var index = 0; index < bytes.length; index += 1) { binary += String.fromCharCode(bytes[index]); }
    return btoa(binary);
  }
  function base64UrlToBytes(text) {
    var standard = text.replace(/-/g, "+").replace(/_/g, "/");
    while (standard.length % 4) { standard += "="; }
    return base64ToBytes(standard);
  }
  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (byte) { return (byte < 16 ? "0" : "") + byte.toString(16); }).join("");
  }
  // The 32-byte seed of an Ed25519 PKCS#8 key (v1 or v2: the OCTET STRING in the private key).
  function seedOf(der) {
    for (var index = 0; index + 36 <= der.length; index += 1) {
      if (der[index] === 0x04 && der[index + 1] === 0x22 && der[index + 2] === 0x04 && der[index + 3] === 0x20) {
        return der.slice(index + 4, index + 36);
      }
    }
    return null;
  }
  function concat(parts) {
    var length = parts.reduce(function (sum, part) { return sum + part.length; }, 0);
    var out = new Uint8Array(length);
    var offset = 0;
    parts.forEach(function (part) { out.set(part, offset); offset += part.length; });
    return out;
  }
  // DSSE v1 pre-authentication encoding.
  function pae(type, payload) {
    var encoder = new TextEncoder();
    var typeBytes = encoder.encode(type);
    return concat([encoder.encode("DSSEv1 " + typeBytes.length + " "), typeBytes,
      encoder.encode(" " + payload.length + " "), payload]);
  }

  function loadKey(file, status) {
    return file.text().then(function (text) {
      var body = text.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "");
      var seed = seedOf(base64ToBytes(body));
      if (!seed) { throw new Error("not an Ed25519 PKCS#8 key"); }
      var der = concat([new Uint8Array(PKCS8_V1_PREFIX), seed]);
      return crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
    }).then(function (key) {
      signingKey = key;
      return crypto.subtle.exportKey("jwk", key);
    }).then(function (jwk) {
      return crypto.subtle.digest("SHA-256", base64UrlToBytes(jwk.x));
    }).then(function (digest) {
      signingKeyId = hex(new Uint8Array(digest).slice(0, 8));
      status.textContent = (status.dataset.loaded || "Key loaded") + ": " + signingKeyId;
      status.dataset.keyId = signingKeyId;
    }).catch(function (error) {
      signingKey = null;
      status.textContent = (status.dataset.unsupported || "") + " (" + error.message + ")";
    });
  }

  function signAndSend(form, status) {
    var body = new URLSearchParams(new FormData(form));
    var csrf = body.get("csrf");
    status.textContent = "…";
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || String(response.status)); }
        return answer;
      });
    }).then(function (prepared) {
      var payload = base64ToBytes(prepared.payload_base64);
      return crypto.subtle.sign({ name: "Ed25519" }, signingKey, pae(prepared.payload_type, payload))
        .then(function (signature) {
          return JSON.stringify({
            payload: prepared.payload_base64,
            payloadType: prepared.payload_type,
            signatures: [{ keyid: signingKeyId, sig: bytesToBase64(new Uint8Array(signature)) }]
          });
        });
    }).then(function (envelope) {
      var sendForm = document.getElementById("send-form");
      var send = new URLSearchParams();
      send.set("csrf", csrf);
      send.set("thread", sendForm ? sendForm.querySelector('[name="thread"]').value : "");
      send.set("envelope", envelope);
      return fetch("/console/messages", {
        method: "POST", body: send, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      });
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || String(response.status)); }
        // The thread's new state arrives over the live stream, not from this answer.
        status.textContent = status.dataset.accepted || "accepted";
        status.dataset.result = "accepted";
        form.reset();
      });
    }).catch(function (error) {
      status.textContent = (status.dataset.refused || "refused") + " " + error.message;
      status.dataset.result = "refused";
    });
  }

  function startSigning() {
    var signing = document.getElementById("signing");
    if (!signing) { return; }
    if (!(window.crypto && crypto.subtle && window.fetch && window.TextEncoder)) { return; }
    signing.hidden = false;
    var input = document.getElementById("signing-key");
    var keyStatus = document.getElementById("key-status");
    var actionStatus = document.getElementById("action-status");
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) { loadKey(input.files[0], keyStatus); }
    });
    document.querySelectorAll("form.action-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        // Without a key loaded the form goes to the page where a signed envelope is pasted.
        if (!signingKey) { return; }
        event.preventDefault();
        signAndSend(form, actionStatus);
      });
    });
  }

  function start() {
    addLocalTimes();
    updateCountdowns();
    if (document.querySelector("time.countdown")) { window.setInterval(updateCountdowns, 1000); }
    startLive();
    startSigning();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
