/** One colour per class, the same in every plot of the app (scatter, boundary, bars). */
export const CLASS_COLORS = ['#e4572e', '#2e86de', '#29a36a', '#f3a712', '#8e44ad', '#16a5a5', '#d35400', '#7f8c8d', '#c0392b', '#2c3e50'];

export function classColor(classIndex: number): string {
  return CLASS_COLORS[classIndex % CLASS_COLORS.length]!;
}
