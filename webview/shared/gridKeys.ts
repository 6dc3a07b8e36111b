// The arrow-key path through a heat-map table (role="grid": the Attention panel's weights, the
// Evaluation panel's confusion matrix): arrows one cell, Home / End the row's first / last cell,
// held inside the table.

/** The cell a key moves (row, col) to in a rows × cols grid; null for a key that does not move. */
export function gridMove(key: string, row: number, col: number, rows: number, cols: number): [number, number] | null {
  switch (key) {
    case 'ArrowRight': return [row, Math.min(cols - 1, col + 1)];
    case 'ArrowLeft': return [row, Math.max(0, col - 1)];
    case 'ArrowDown': return [Math.min(rows - 1, row + 1), col];
    case 'ArrowUp': return [Math.max(0, row - 1), col];
    case 'Home': return [row, 0];
    case 'End': return [row, cols - 1];
    default: return null;
  }
}
