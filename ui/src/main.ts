// Entry point: mounts the app. Test builds load a fixture backend before
// this file (mock.html), so nothing here knows about mocks.

import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("missing #app element");

export default mount(App, { target });
