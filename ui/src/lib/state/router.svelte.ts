// The current route, read from and written to location.hash.

import { parseRoute, routeHash, type Route } from "../logic/route";

export class Router {
  #route = $state<Route>({ page: "portfolio", incident: null });

  constructor() {
    if (typeof window === "undefined") return;
    this.#route = parseRoute(window.location.hash);
    window.addEventListener("hashchange", () => {
      this.#route = parseRoute(window.location.hash);
    });
  }

  get route(): Route {
    return this.#route;
  }

  go(r: Route): void {
    const hash = routeHash(r);
    this.#route = r;
    if (window.location.hash !== hash) window.location.hash = hash;
  }

  reset(): void {
    this.#route = { page: "portfolio", incident: null };
  }
}

export const router = new Router();
