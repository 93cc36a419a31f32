// Ambient types for the console: Vite's client globals.
/// <reference types="vite/client" />
