import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource-variable/inter';
import '@xyflow/react/dist/base.css';
import './styles/app.css';
import { App } from './App';
import { documentStore } from './store/documentStore';
import { viewStore } from './store/viewStore';

// Benchmarks and debugging reach the stores with ?nbDebug=1; normal sessions expose nothing.
if (new URLSearchParams(window.location.search).has('nbDebug')) {
  Object.assign(window, { __neuralBricks: { documentStore, viewStore } });
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
