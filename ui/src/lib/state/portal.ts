// Opening a portal page: check the allow-list, ask the shell, and report a
// refusal as a toast.

import * as api from "../api";
import { isPortalUrl } from "../logic/portalUrl";
import { app } from "./app.svelte";

export async function openPortal(url: string): Promise<void> {
  if (!isPortalUrl(url)) {
    app.toast("error", "That link is not a Microsoft portal address, so it was not opened.");
    return;
  }
  try {
    await api.openInPortal(url);
  } catch (e) {
    app.toast("error", api.BackendError.from(e).message);
  }
}
