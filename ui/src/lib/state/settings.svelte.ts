// Settings: connection, sign-in, refresh, notifications, read-only, demo.
// The client secret is write-only: it is sent once to the keychain and
// never held here after the call, nor ever read back.

import * as api from "../api";
import type { DeviceCode, SettingsInput, SettingsView } from "../api";

export class SettingsState {
  #view = $state<SettingsView | null>(null);
  #saving = $state(false);
  #message = $state<{ tone: "ok" | "error"; text: string } | null>(null);
  #device = $state<DeviceCode | null>(null);
  #waiting = $state(false);
  draft = $state<SettingsInput | null>(null);

  get view() {
    return this.#view;
  }
  get saving() {
    return this.#saving;
  }
  get message() {
    return this.#message;
  }
  get device() {
    return this.#device;
  }
  get waiting() {
    return this.#waiting;
  }

  async load(): Promise<void> {
    try {
      this.#adopt(await api.getSettings());
    } catch (e) {
      this.#fail(e);
    }
  }

  async save(): Promise<void> {
    if (!this.draft) return;
    if (!(this.draft.refreshMinutes >= 1 && this.draft.refreshMinutes <= 1440)) {
      this.#message = { tone: "error", text: "Refresh interval must be 1 to 1440 minutes." };
      return;
    }
    await this.#run(() => api.saveSettings({ ...this.draft! }), "Settings saved.");
  }

  /** Sends the secret to the keychain; the caller clears its input. */
  async storeSecret(secret: string): Promise<boolean> {
    if (!secret.trim()) {
      this.#message = { tone: "error", text: "Paste the client secret first." };
      return false;
    }
    return this.#run(() => api.storeClientSecret(secret), "Client secret stored in the keychain.");
  }

  async useDemo(): Promise<void> {
    await this.#run(() => api.useDemoMode(), "Using demo tenants.");
  }

  async deviceSignIn(): Promise<void> {
    try {
      this.#device = await api.startDeviceSignIn();
      this.#waiting = true;
      this.#adopt(await api.finishDeviceSignIn());
      this.#message = { tone: "ok", text: "Signed in." };
      this.#device = null;
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#waiting = false;
    }
  }

  async #run(fn: () => Promise<SettingsView>, ok: string): Promise<boolean> {
    this.#saving = true;
    this.#message = null;
    try {
      this.#adopt(await fn());
      this.#message = { tone: "ok", text: ok };
      return true;
    } catch (e) {
      this.#fail(e);
      return false;
    } finally {
      this.#saving = false;
    }
  }

  #adopt(v: SettingsView): void {
    this.#view = v;
    this.draft = {
      cloud: v.cloud,
      graphUrl: v.graphUrl,
      loginUrl: v.loginUrl,
      partnerTenant: v.partnerTenant,
      clientId: v.clientId,
      refreshMinutes: v.refreshMinutes,
      notifications: v.notifications,
      readOnly: v.readOnly,
    };
  }

  #fail(e: unknown): void {
    const err = api.BackendError.from(e);
    this.#message = { tone: "error", text: `${err.message} ${api.nextStep(err.code)}`.trim() };
  }

  reset(): void {
    this.#view = null;
    this.draft = null;
    this.#saving = false;
    this.#message = null;
    this.#device = null;
    this.#waiting = false;
  }
}

export const settings = new SettingsState();
