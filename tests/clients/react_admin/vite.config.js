// JSX through esbuild (no React plugin needed): the page is built once per test
// run (`npx vite build --outDir <tmp>`), never served by Vite's dev server.
import { defineConfig } from 'vite'

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  base: './',
  logLevel: 'warn',
  build: {
    chunkSizeWarningLimit: 5000,
    sourcemap: false,
    rollupOptions: {
      // MUI marks its modules "use client" (for React Server Components); a
      // plain browser bundle ignores it, so the warning is noise.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
      },
    },
  },
})
