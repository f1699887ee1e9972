/*
 * JSON answers serialised once and sent many times: the bytes and a strong
 * ETag over them, so that a browser that has them already gets a 304 with
 * no body. Whether the caller may see them at all is decided before, on
 * every request; the ETag only saves sending bytes they have.
 */
import { createHash } from 'node:crypto';
import express from 'express';

/** A value as it goes out: its JSON and the entity tag that names those bytes. */
export interface SerializedJson {
  body: Buffer;
  etag: string;
}

export function serializeJson(value: unknown): SerializedJson {
  const body = Buffer.from(JSON.stringify(value));
  return {
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
  };
}

/**
 * Sends it as JSON. `private, no-cache`: a browser keeps it for this user
 * only and asks again every time (If-None-Match), so the permission check
 * runs on every view; express answers 304 when the tag matches.
 */
export function sendSerialized(
  res: express.Response,
  serialized: SerializedJson,
): void {
  res.set({ ETag: serialized.etag, 'Cache-Control': 'private, no-cache' });
  res.type('application/json');
  res.send(serialized.body);
}
