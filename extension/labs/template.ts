/** Filling a lab template: names and placeholders. No vscode import. */

/** 'my-first-lab' → 'my_first_lab' (a C identifier, the module and device name). */
export function moduleNameFor(labName: string): string {
  const m = labName.replace(/^[0-9-]+/, '').replace(/-/g, '_');
  return m || 'mylab';
}

export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => vars[key] ?? whole);
}
