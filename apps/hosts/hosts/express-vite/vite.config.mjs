import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `vite build` (root: this folder) writes the page to dist/, which server.mjs serves.
export default defineConfig({ plugins: [react()] })
