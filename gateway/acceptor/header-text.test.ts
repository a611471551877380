import { headerText } from './header-text';

describe('headerText', () => {
  it('ASCII passes unchanged', () => {
    expect(headerText('2024.44.25')).toEqual({ text: '2024.44.25', exact: true });
  });

  it('UTF-8 bytes handed over as Latin-1 units read as UTF-8', () => {
    const sent = Buffer.from('2024.1 ü ✓', 'utf8').toString('latin1');
    expect(headerText(sent)).toEqual({ text: '2024.1 ü ✓', exact: true });
  });

  it('bytes that are not UTF-8 are marked inexact', () => {
    expect(headerText('2025 \u00fc x')).toEqual({ text: '2025 \ufffd x', exact: false });
  });
});
