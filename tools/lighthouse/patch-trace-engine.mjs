// Run by `npm ci` (postinstall). Lighthouse 12.2.3's trace engine reads each PipelineReporter
// trace event's args.chrome_frame_reporter.frame_sequence; Chromium has since renamed that
// field args.frame_reporter, and on Chromium 156 the old name is gone, so RootCauses, TraceElements
// and render-blocking-resources (layout-shifts, largest-contentful-paint-element, ...) all fail
// with "Cannot read properties of undefined (reading 'frame_sequence')". Read either name.
import {readFileSync, writeFileSync} from 'node:fs';

const file = new URL(
  './node_modules/@paulirish/trace_engine/models/trace/handlers/ScreenshotsHandler.js', import.meta.url);
const before = 'evt.args.data.beginEvent.args.chrome_frame_reporter.frame_sequence';
const after = '(evt.args.data.beginEvent.args.frame_reporter ?? ' +
  'evt.args.data.beginEvent.args.chrome_frame_reporter)?.frame_sequence';

const text = readFileSync(file, 'utf8');
if (text.includes(after)) {
  console.log('trace engine: already patched for frame_reporter');
} else if (text.split(before).length === 2) {
  writeFileSync(file, text.replace(before, after));
  console.log('trace engine: patched for frame_reporter');
} else {
  console.error(`trace engine: ${file.pathname} is not the expected version; the patch does not apply`);
  process.exit(1);
}
