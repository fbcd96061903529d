// A tiny typed builder for structural OpenAPI v3 schemas: each helper returns the schema Kubernetes
// validates against AND carries the TypeScript type of the value, so the CRD and the operator's types
// come from the same lines (the single source of truth the generator writes out).

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: readonly (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  'x-kubernetes-validations'?: Validation[];
  'x-kubernetes-list-type'?: 'atomic' | 'map' | 'set';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface Validation {
  rule: string;
  message: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** A schema node with the TypeScript type `T` of its value; `present` says whether the key is always set. */
export interface Node<T, Present extends boolean = boolean> {
  readonly schema: JsonSchema;
  readonly present: Present;
  readonly _type?: T;
}

type Opts = Omit<JsonSchema, 'type' | 'properties' | 'items' | 'required' | 'default'>;

function node<T, P extends boolean>(schema: JsonSchema, present: P): Node<T, P> {
  return { schema, present };
}

export const s = {
  string: <T extends string = string>(opts: Opts = {}) => node<T, false>({ type: 'string', ...opts }, false),
  enumOf: <const V extends readonly string[]>(values: V, opts: Opts = {}) =>
    node<V[number], false>({ type: 'string', enum: values, ...opts }, false),
  integer: (opts: Opts = {}) => node<number, false>({ type: 'integer', ...opts }, false),
  number: (opts: Opts = {}) => node<number, false>({ type: 'number', ...opts }, false),
  boolean: (opts: Opts = {}) => node<boolean, false>({ type: 'boolean', ...opts }, false),
  array: <T>(items: Node<T>, opts: Opts = {}) =>
    node<T[], false>({ type: 'array', items: items.schema, ...opts }, false),
  object: <P extends Record<string, Node<unknown>>>(props: P, opts: Opts = {}) => {
    const required = Object.entries(props)
      .filter(([, n]) => n.present && n.schema.default === undefined)
      .map(([k]) => k);
    const schema: JsonSchema = {
      type: 'object',
      ...opts,
      properties: Object.fromEntries(Object.entries(props).map(([k, n]) => [k, n.schema])),
    };
    if (required.length > 0) schema.required = required;
    return node<ObjectOf<P>, false>(schema, false);
  },
  /** Required: admission rejects the object without it. */
  required: <T>(n: Node<T>) => node<T, true>(n.schema, true),
  /** Defaulted by the API server: always present when the operator reads it. */
  withDefault: <T>(n: Node<T>, value: T) => node<T, true>({ ...n.schema, default: value }, true),
};

type Present<P> = { [K in keyof P]: P[K] extends Node<unknown, true> ? K : never }[keyof P];
type Absent<P> = Exclude<keyof P, Present<P>>;
type Value<N> = N extends Node<infer T> ? T : never;
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<P> = Flatten<{ [K in Present<P>]: Value<P[K]> } & { [K in Absent<P>]?: Value<P[K]> }>;
export type Infer<N> = Value<N>;
