// Keyboard shortcuts as data, and the one piece of state they need: a
// pending `g` for the two-key jumps. Typing in a field never triggers a
// shortcut (Esc excepted, handled by the field itself).

export type KeyAction =
  "down" | "up" | "open" | "back" | "filter" | "refresh" | "portfolio" | "health" | "help";

export const SHORTCUTS: [string, string][] = [
  ["j / k", "Move down / up in the list"],
  ["Enter", "Open the incident"],
  ["Esc", "Close the incident, go back"],
  ["/", "Focus the filter"],
  ["r", "Refresh now"],
  ["g p", "Go to Portfolio"],
  ["g h", "Go to Health"],
  ["?", "Show these keys"],
];

/** Maps a key press to an action; `pendingG` is true right after `g`. */
export function keyAction(key: string, pendingG: boolean): KeyAction | "g" | null {
  if (pendingG) {
    if (key === "p") return "portfolio";
    if (key === "h") return "health";
    return null;
  }
  switch (key) {
    case "j":
    case "ArrowDown":
      return "down";
    case "k":
    case "ArrowUp":
      return "up";
    case "Enter":
      return "open";
    case "Escape":
      return "back";
    case "/":
      return "filter";
    case "r":
      return "refresh";
    case "?":
      return "help";
    case "g":
      return "g";
    default:
      return null;
  }
}

/** True when the event comes from somewhere text is typed. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target instanceof Element)) return false;
  const el = target as HTMLElement;
  return (
    el.isContentEditable ||
    el.tagName === "TEXTAREA" ||
    el.tagName === "SELECT" ||
    (el.tagName === "INPUT" &&
      !["checkbox", "radio", "button", "submit"].includes((el as HTMLInputElement).type))
  );
}
