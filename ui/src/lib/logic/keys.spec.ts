import { describe, expect, it } from "vitest";
import { keyAction } from "./keys";

describe("key actions", () => {
  it("maps single keys", () => {
    expect(keyAction("j", false)).toBe("down");
    expect(keyAction("k", false)).toBe("up");
    expect(keyAction("Enter", false)).toBe("open");
    expect(keyAction("Escape", false)).toBe("back");
    expect(keyAction("/", false)).toBe("filter");
    expect(keyAction("r", false)).toBe("refresh");
    expect(keyAction("?", false)).toBe("help");
    expect(keyAction("x", false)).toBeNull();
  });

  it("completes g p and g h, and drops anything else after g", () => {
    expect(keyAction("g", false)).toBe("g");
    expect(keyAction("p", true)).toBe("portfolio");
    expect(keyAction("h", true)).toBe("health");
    expect(keyAction("j", true)).toBeNull();
  });
});
