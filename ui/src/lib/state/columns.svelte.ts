// The incident table's column widths and hidden columns, remembered in
// localStorage and shared by every incident table.

import {
  COLUMNS,
  parsePrefs,
  visibleColumns,
  widthOf,
  type ColumnId,
  type ColumnPrefs,
} from "../logic/columns";

const KEY = "m365.columns.v1";

export class ColumnsState {
  #prefs = $state<ColumnPrefs>(
    parsePrefs(typeof localStorage === "undefined" ? null : localStorage.getItem(KEY)),
  );

  visible = $derived(visibleColumns(this.#prefs));
  /** CSS grid-template-columns for header and rows. */
  template = $derived(this.visible.map((c) => `${widthOf(c, this.#prefs)}px`).join(" "));
  totalWidth = $derived(this.visible.reduce((n, c) => n + widthOf(c, this.#prefs), 0));

  get all() {
    return COLUMNS;
  }

  isHidden(id: ColumnId): boolean {
    return this.#prefs.hidden.includes(id);
  }

  width(id: ColumnId): number {
    return widthOf(
      COLUMNS.find((c) => c.id === id)!,
      this.#prefs,
    );
  }

  toggle(id: ColumnId): void {
    const hidden = this.isHidden(id)
      ? this.#prefs.hidden.filter((h) => h !== id)
      : [...this.#prefs.hidden, id];
    this.#save({ ...this.#prefs, hidden });
  }

  resize(id: ColumnId, width: number): void {
    this.#save({ ...this.#prefs, widths: { ...this.#prefs.widths, [id]: width } });
  }

  #save(p: ColumnPrefs): void {
    this.#prefs = p;
    localStorage.setItem(KEY, JSON.stringify(p));
  }

  reset(): void {
    this.#prefs = parsePrefs(null);
  }
}

export const columns = new ColumnsState();
