import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { installDropGuards, installErrorBridge } from './api/guards';

// Before anything else: a file dropped outside a drop zone must never make the
// web view navigate away from the app.
installDropGuards(window);
// Before any bound call: keep {code, message, field} errors intact.
installErrorBridge(window);

const app = mount(App, { target: document.getElementById('app')! });

export default app;
