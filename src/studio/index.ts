/**
 * `mastercut studio`: a local authoring server for templates. The page lists
 * the templates, plays every variant side by side with a timeline, edits
 * props through a form made from the template's JSON Schema, reloads on save
 * keeping the frame and props, renders through the local engine, and asks a
 * configured farm for Live URLs.
 */
export { startStudio, type Studio, type StudioOptions } from './start-studio.js';
export { createStudioApp, type StudioAppDeps } from './create-studio-app.js';
export { readExamples, saveExample, examplesPath, type ExampleProps } from './example-props.js';
export { createFarmLiveUrl, type FarmTarget } from './farm-live-url.js';
