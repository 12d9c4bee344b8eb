/**
 * The debug adapter as a Node process speaking DAP on stdio (package.json
 * contributes.debuggers[0].program points at the bundle of this file). It starts at once, with no
 * `require.main` guard: VS Code may load the program through require() from `node -e`.
 */
import { KmemlabDebugSession } from './adapter/debugSession';
import { nodeFiles } from './nodeFiles';

class NodeKmemlabSession extends KmemlabDebugSession {
  constructor() {
    super(nodeFiles);
  }
}

NodeKmemlabSession.run(NodeKmemlabSession);
