// Types of layers.js (plain JavaScript, loaded by eslint.config.js without a compiler).
import type { ESLint } from 'eslint';

export declare function layerOf(path: string): string;
export declare function boundaryProblem(from: string, to: string): string | undefined;
declare const plugin: ESLint.Plugin;
export default plugin;
