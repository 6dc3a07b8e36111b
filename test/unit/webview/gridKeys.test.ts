// The heat-map tables' arrow-key path (Attention weights, Evaluation confusion matrix): one cell per
// arrow, Home / End within the row, never out of the table, other keys left to the page.
import * as assert from 'node:assert/strict';
import { gridMove } from '../../../webview/shared/gridKeys';

describe('webview heat-map grid keys', () => {
  it('moves one cell per arrow and to the row ends with Home / End', () => {
    assert.deepEqual(gridMove('ArrowRight', 1, 1, 3, 4), [1, 2]);
    assert.deepEqual(gridMove('ArrowLeft', 1, 1, 3, 4), [1, 0]);
    assert.deepEqual(gridMove('ArrowDown', 1, 1, 3, 4), [2, 1]);
    assert.deepEqual(gridMove('ArrowUp', 1, 1, 3, 4), [0, 1]);
    assert.deepEqual(gridMove('Home', 2, 3, 3, 4), [2, 0]);
    assert.deepEqual(gridMove('End', 2, 0, 3, 4), [2, 3]);
  });

  it('stays inside the table at its edges and ignores other keys', () => {
    assert.deepEqual(gridMove('ArrowRight', 0, 3, 3, 4), [0, 3]);
    assert.deepEqual(gridMove('ArrowLeft', 0, 0, 3, 4), [0, 0]);
    assert.deepEqual(gridMove('ArrowDown', 2, 1, 3, 4), [2, 1]);
    assert.deepEqual(gridMove('ArrowUp', 0, 1, 3, 4), [0, 1]);
    assert.equal(gridMove('Enter', 1, 1, 3, 4), null);
    assert.equal(gridMove('a', 1, 1, 3, 4), null);
  });
});
