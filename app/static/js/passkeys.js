// Passkeys (WebAuthn) for Sapling: register, sign in, second step, re-authenticate.
// Buttons carry what to do in data- attributes; nothing runs inline, so the CSP stays strict.
"use strict";

(() => {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  document.documentElement.classList.add("js-passkeys");

  const toBytes = (value) => {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  const creationOptions = (json) => {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: toBytes(json.challenge),
      user: { ...json.user, id: toBytes(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
    };
  };
  const requestOptions = (json) => {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
    };
  };
  const credentialJSON = (credential) => {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    };
  };

  const post = async (url, csrf, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || "Something went wrong. Please try again.");
    return data;
  };

  const say = (button, message) => {
    const status = document.getElementById(button.dataset.status || "passkey-status");
    if (status) status.textContent = message;
  };

  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-passkey]");
    if (!button) return;
    event.preventDefault();
    const { passkey: action, optionsUrl, verifyUrl, csrf } = button.dataset;
    button.setAttribute("aria-busy", "true");
    button.setAttribute("disabled", "");
    say(button, "Waiting for your passkey…");
    try {
      const options = await post(optionsUrl, csrf);
      const extra = { next: button.dataset.next || "" };
      let credential;
      if (action === "register") {
        credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        const name = document.getElementById(button.dataset.nameInput || "passkey-name");
        extra.name = name ? name.value : "";
      } else {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
        const trust = document.getElementById(button.dataset.trustInput || "");
        extra.trust = Boolean(trust && trust.checked);
        const remember = document.getElementById(button.dataset.rememberInput || "");
        extra.remember = Boolean(remember && remember.checked);
      }
      const result = await post(verifyUrl, csrf, { credential: credentialJSON(credential), ...extra });
      window.location.assign(result.redirect || "/");
    } catch (error) {
      const cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
      say(button, cancelled ? "Cancelled. You can try again." : error.message);
      button.removeAttribute("aria-busy");
      button.removeAttribute("disabled");
    }
  });
})();
