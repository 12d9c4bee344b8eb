/** Node's `url` module for the browser bundle: @vscode/debugadapter only needs URL, a global there. */
export const URL = globalThis.URL;
export default { URL };
