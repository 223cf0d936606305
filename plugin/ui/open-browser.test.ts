// `ui --open`'s browser command: $BROWSER as xdg-open reads it, else the platform's opener.
import { describe, expect, it } from 'vitest';
import { browserCommand } from './open-browser.js';

const URL = 'http://127.0.0.1:8099/ui/';

describe('browserCommand', () => {
  it.each<{ title: string; env: Record<string, string>; platform: NodeJS.Platform; want: { cmd: string; args: string[] } }>([
    { title: 'no $BROWSER on Linux: xdg-open', env: {}, platform: 'linux', want: { cmd: 'xdg-open', args: [URL] } },
    { title: 'no $BROWSER on macOS: open', env: {}, platform: 'darwin', want: { cmd: 'open', args: [URL] } },
    { title: 'an empty $BROWSER is no $BROWSER', env: { BROWSER: ' ' }, platform: 'linux', want: { cmd: 'xdg-open', args: [URL] } },
    { title: '$BROWSER: the URL added last', env: { BROWSER: 'firefox' }, platform: 'darwin', want: { cmd: 'firefox', args: [URL] } },
    { title: '$BROWSER with words', env: { BROWSER: 'chromium --new-window' }, platform: 'linux', want: { cmd: 'chromium', args: ['--new-window', URL] } },
    { title: '$BROWSER with %s', env: { BROWSER: 'w3m -T text/html %s' }, platform: 'linux', want: { cmd: 'w3m', args: ['-T', 'text/html', URL] } },
    { title: '$BROWSER a list: the first', env: { BROWSER: 'lynx:links' }, platform: 'linux', want: { cmd: 'lynx', args: [URL] } },
  ])('$title', ({ env, platform, want }) => {
    expect(browserCommand(URL, env, platform)).toEqual(want);
  });
});
