import { describe, expect, it } from "vitest";
import { jsonText, stripTags } from "./text";

describe("stripTags", () => {
  it("keeps the words and drops the markup", () => {
    const html = '<p>Go to <a href="https://x">Settings</a> &amp; enable <b>MFA</b>.</p>';

    expect(stripTags(html)).toBe("Go to Settings & enable MFA.");
  });

  it("removes script bodies and event handlers entirely", () => {
    const html = "<img src=x onerror=alert(1)>Safe<script>alert(2)</script>";

    expect(stripTags(html)).toBe("Safe");
  });

  it("turns list items and breaks into lines", () => {
    expect(stripTags("<ul><li>One</li><li>Two</li></ul>")).toBe("• One\n• Two");
    expect(stripTags("a<br/>b")).toBe("a\nb");
  });

  it("decodes numeric entities and leaves unknown ones", () => {
    expect(stripTags("&#39;x&#x27; &bogus;")).toBe("'x' &bogus;");
  });
});

describe("jsonText", () => {
  it("pretty-prints objects and passes strings through", () => {
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonText("plain")).toBe("plain");
    expect(jsonText(null)).toBe("");
  });
});
