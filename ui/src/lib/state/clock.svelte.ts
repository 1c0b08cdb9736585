// A shared "now" that ticks every 30 s, so relative times stay current
// without each one running its own timer.

class Clock {
  #value = $state(new Date());

  constructor() {
    if (typeof window !== "undefined") {
      setInterval(() => (this.#value = new Date()), 30_000);
    }
  }

  get value(): Date {
    return this.#value;
  }

  reset(): void {
    this.#value = new Date();
  }
}

export const now = new Clock();
