// Types of import-graph.js (plain JavaScript, loaded by eslint.config.js without a compiler).
export declare const ROOTS: readonly string[];
export declare function isTestCode(path: string): boolean;
export declare function resolveSpecifier(from: string, specifier: string): string;
export declare function specifiersOf(source: string): string[];
export declare function productionGraph(root: string): Map<string, Set<string>>;
export declare function circles(graph: Map<string, Set<string>>): string[][];
export declare function circlePath(graph: Map<string, Set<string>>, from: string, members: Set<string>): string[];
