// Turns a compiled validator of the @kubernetes-models packages back into the OpenAPI schema it was compiled
// from. Those packages ship Strimzi's CRD schemas only as ajv "standalone" code: one function per schema node,
// each reporting the keywords it checks ({ keyword, schemaPath, params }) and calling the function of each
// property (`validateN(data.name, …)`), array item (`data[i0]`) or map value (`data[key0]`). Reading those
// facts back gives the schema the API server needs to validate with Strimzi's own rules. Anything the reader
// does not recognise throws: a schema is never silently widened.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ts from 'typescript';

export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  /** Which properties go together, as Strimzi's CRDs say it: each branch only `required`. */
  oneOf?: Array<{ required?: string[] }>;
}

const require = createRequire(import.meta.url);
/** The @kubernetes-models packages whose validators are read, by the name their files are asked for by. */
const MODEL_PACKAGES = {
  'strimzi-kafka-operator': () => require.resolve('@kubernetes-models/strimzi-kafka-operator/package.json'),
};

/** Where `validate<Name>.js` of a @kubernetes-models package lives, e.g. ('strimzi-kafka-operator', 'KafkaStrimziIoV1KafkaTopic'). */
export function compiledSchemaPath(pkg: keyof typeof MODEL_PACKAGES, name: string): string {
  return MODEL_PACKAGES[pkg]().replace(/package\.json$/, `_schemas/${name}.js`);
}

interface NodeFacts {
  keywords: Map<string, ts.ObjectLiteralExpression>;
  properties: Map<string, string>;
  items?: string;
  values?: string;
  branches: string[];
  /** Calls into another module (ObjectMeta): an open object. */
  external: boolean;
}

/** The OpenAPI schema of the root of a compiled validator module. */
function schemaFromCompiledValidator(source: string, file = 'validator.js'): OpenApiSchema {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const functions = new Map<string, ts.FunctionDeclaration>();
  const arrays = new Map<string, unknown[]>();
  const imported = new Set<string>();
  let root: string | undefined;
  for (const statement of sf.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) functions.set(statement.name.text, statement);
    else if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) imported.add(el.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (!ts.isIdentifier(decl.name) || !decl.initializer) continue;
        if (ts.isArrayLiteralExpression(decl.initializer))
          arrays.set(decl.name.text, literal(decl.initializer) as unknown[]);
        // `export const validate = validateN`
        if (decl.name.text === 'validate' && ts.isIdentifier(decl.initializer)) root = decl.initializer.text;
      }
    }
  }
  if (!root) throw new Error(`${file}: no "export const validate = …"`);

  const facts = (name: string): NodeFacts => {
    const fn = functions.get(name);
    if (!fn?.body) throw new Error(`${file}: no function ${name}`);
    const found: NodeFacts = { keywords: new Map(), properties: new Map(), branches: [], external: false };
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const keyword = stringProperty(node, 'keyword');
        const schemaPath = stringProperty(node, 'schemaPath');
        if (keyword !== undefined && schemaPath !== undefined) {
          if (schemaPath !== `#/${keyword}`)
            throw new Error(`${file} ${name}: keyword at ${schemaPath} (inline subschemas are not read)`);
          found.keywords.set(keyword, node);
        }
      }
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        /^validate\d+$/.test(node.expression.text)
      ) {
        const callee = node.expression.text;
        const target = node.arguments[0];
        if (imported.has(callee)) found.external = true;
        else if (target && ts.isIdentifier(target) && target.text === 'data') found.branches.push(callee);
        else if (target && ts.isPropertyAccessExpression(target) && isData(target.expression))
          found.properties.set(target.name.text, callee);
        else if (target && ts.isElementAccessExpression(target) && isData(target.expression)) {
          const arg = target.argumentExpression;
          if (ts.isStringLiteral(arg)) found.properties.set(arg.text, callee);
          else if (ts.isIdentifier(arg) && /^i\d+$/.test(arg.text)) found.items = callee;
          else if (ts.isIdentifier(arg) && /^key\d+$/.test(arg.text)) found.values = callee;
          else throw new Error(`${file} ${name}: unreadable call ${node.getText().slice(0, 80)}`);
        } else throw new Error(`${file} ${name}: unreadable call ${node.getText().slice(0, 80)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(fn.body);
    return found;
  };

  const params = (node: ts.ObjectLiteralExpression): Record<string, unknown> => {
    const p = node.properties.find((x) => x.name && x.name.getText() === 'params');
    if (!p || !ts.isPropertyAssignment(p) || !ts.isObjectLiteralExpression(p.initializer)) return {};
    const out: Record<string, unknown> = {};
    for (const q of p.initializer.properties) {
      if (!ts.isPropertyAssignment(q)) continue;
      const init = q.initializer;
      out[q.name.getText()] = ts.isIdentifier(init) ? arrays.get(init.text) : literal(init);
    }
    return out;
  };

  const required = (fn: ts.FunctionDeclaration): string[] => {
    const names: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && stringProperty(node, 'keyword') === 'required') {
        const missing = params(node).missingProperty;
        if (typeof missing === 'string' && !names.includes(missing)) names.push(missing);
      }
      ts.forEachChild(node, visit);
    };
    visit(fn);
    return names;
  };

  // Strimzi's oneOf branches only say which properties go together (`{properties: {value: {}}, required:
  // [value]}`: an env variable's value or valueFrom; a volume's sources, with no required, which any volume
  // passes): kept as `required` sets, the value validation a structural schema allows. A branch that checks
  // anything else throws.
  const oneOfBranch = (name: string): { required?: string[] } => {
    const f = facts(name);
    const checksNothing = (n: NodeFacts) =>
      n.keywords.size === 0 &&
      n.properties.size === 0 &&
      !n.items &&
      !n.values &&
      n.branches.length === 0 &&
      !n.external;
    const other = [...f.keywords.keys()].filter((k) => k !== 'required');
    const checked = [...f.properties.values()].filter((fn) => !checksNothing(facts(fn)));
    if (other.length > 0 || checked.length > 0 || f.items || f.values || f.branches.length > 0 || f.external)
      throw new Error(`${file} ${name}: a oneOf branch checks more than which properties are there`);
    const req = required(functions.get(name)!);
    return req.length > 0 ? { required: req } : {};
  };

  const memo = new Map<string, OpenApiSchema>();
  const build = (name: string, depth: number): OpenApiSchema => {
    const cached = memo.get(name);
    if (cached) return cached;
    if (depth > 64) throw new Error(`${file}: schema nested deeper than 64 (recursive?) at ${name}`);
    const f = facts(name);
    const schema: OpenApiSchema = {};
    const type = f.keywords.get('type');
    if (type) schema.type = params(type).type as string;
    if (f.external) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    for (const [keyword, node] of f.keywords) {
      const p = params(node);
      if (keyword === 'enum') schema.enum = p.allowedValues as unknown[];
      else if (keyword === 'pattern') schema.pattern = p.pattern as string;
      else if (['minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength'].includes(keyword))
        (schema as Record<string, unknown>)[keyword] = p.limit;
      else if (!['type', 'required', 'oneOf', 'anyOf'].includes(keyword))
        throw new Error(`${file} ${name}: keyword ${keyword} is not read`);
    }
    const req = required(functions.get(name)!);
    if (req.length > 0) schema.required = req;
    if (f.properties.size > 0) {
      schema.properties = {};
      for (const [prop, fn] of f.properties) schema.properties[prop] = build(fn, depth + 1);
    }
    if (f.items) schema.items = build(f.items, depth + 1);
    if (f.values) schema.additionalProperties = build(f.values, depth + 1);
    if (f.keywords.has('anyOf')) {
      // The only anyOf a structural schema allows without properties of its own: int-or-string.
      const types = f.branches.map((b) => build(b, depth + 1).type).sort();
      if (types.join() !== 'integer,string') throw new Error(`${file} ${name}: anyOf of ${types.join()}`);
      schema['x-kubernetes-int-or-string'] = true;
    }
    if (f.keywords.has('oneOf')) {
      if (f.keywords.has('anyOf')) throw new Error(`${file} ${name}: oneOf beside anyOf`);
      schema.oneOf = f.branches.map((b) => oneOfBranch(b));
    }
    if (!schema.type && !schema['x-kubernetes-int-or-string'])
      schema['x-kubernetes-preserve-unknown-fields'] = true;
    if (schema.type === 'object' && !schema.properties && !schema.additionalProperties)
      schema['x-kubernetes-preserve-unknown-fields'] = true;
    if (schema.type === 'array' && !schema.items) throw new Error(`${file} ${name}: array without items`);
    memo.set(name, schema);
    return schema;
  };
  return build(root, 0);
}

export function schemaFromCompiledValidatorFile(path: string): OpenApiSchema {
  return schemaFromCompiledValidator(readFileSync(path, 'utf8'), path);
}

function isData(e: ts.Expression): boolean {
  return ts.isIdentifier(e) && e.text === 'data';
}

function stringProperty(node: ts.ObjectLiteralExpression, key: string): string | undefined {
  for (const p of node.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === key && ts.isStringLiteral(p.initializer))
      return p.initializer.text;
  }
  return undefined;
}

function literal(e: ts.Expression): unknown {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (
    ts.isPrefixUnaryExpression(e) &&
    e.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(e.operand)
  )
    return -Number(e.operand.text);
  if (
    ts.isPrefixUnaryExpression(e) &&
    e.operator === ts.SyntaxKind.ExclamationToken &&
    ts.isNumericLiteral(e.operand)
  )
    return !Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(e)) return e.elements.map(literal);
  if (ts.isObjectLiteralExpression(e))
    return Object.fromEntries(
      e.properties
        .filter(ts.isPropertyAssignment)
        .map((p) => [p.name.getText().replace(/^"|"$/g, ''), literal(p.initializer)]),
    );
  return undefined;
}
