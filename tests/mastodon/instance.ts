/**
 * Server-level documents: Instance (v2) and V1::Instance, DomainBlock,
 * and the nodeinfo discovery document and nodeinfo 2.0.
 */

import type { Json } from "./entities.ts";
import type { DomainBlockInput } from "./types.ts";

export interface InstanceInfo {
  domain: string;
  title: string;
  version: string;
  /** Base of the streaming API, e.g. `ws://127.0.0.1:1234`. */
  streamingUrl: string;
  /** Where nodeinfo 2.0 is served, e.g. `http://127.0.0.1:1234/nodeinfo/2.0`. */
  nodeinfoUrl: string;
  maxCharacters: number;
  maxMediaAttachments: number;
  charactersReservedPerUrl: number;
  maxPollOptions: number;
  imageSizeLimit: number;
  videoSizeLimit: number;
  supportedMimeTypes: readonly string[];
  software: { name: string; version: string };
  userCount: number;
  statusCount: number;
  domainCount: number;
  contactAccount: Json | null;
}

function statusesConfig(i: InstanceInfo): Json {
  return {
    max_characters: i.maxCharacters,
    max_media_attachments: i.maxMediaAttachments,
    characters_reserved_per_url: i.charactersReservedPerUrl,
  };
}

function mediaConfig(i: InstanceInfo): Json {
  return {
    supported_mime_types: [...i.supportedMimeTypes],
    image_size_limit: i.imageSizeLimit,
    image_matrix_limit: 33177600,
    video_size_limit: i.videoSizeLimit,
    video_frame_rate_limit: 120,
    video_matrix_limit: 8294400,
  };
}

function pollsConfig(i: InstanceInfo): Json {
  return {
    max_options: i.maxPollOptions,
    max_characters_per_option: 50,
    min_expiration: 300,
    max_expiration: 2629746,
  };
}

/** `GET /api/v1/instance` (V1::Instance). */
export function instanceV1(i: InstanceInfo): Json {
  return {
    uri: i.domain,
    title: i.title,
    short_description: "A Mastodon API test server.",
    description: "A Mastodon API test server.",
    email: `admin@${i.domain}`,
    version: i.version,
    urls: { streaming_api: i.streamingUrl },
    stats: { user_count: i.userCount, status_count: i.statusCount, domain_count: i.domainCount },
    thumbnail: null,
    languages: ["en"],
    registrations: false,
    approval_required: false,
    invites_enabled: false,
    configuration: {
      accounts: { max_featured_tags: 10 },
      statuses: statusesConfig(i),
      media_attachments: mediaConfig(i),
      polls: pollsConfig(i),
    },
    contact_account: i.contactAccount,
    rules: [],
  };
}

/** `GET /api/v2/instance` (Instance). */
export function instanceV2(i: InstanceInfo): Json {
  return {
    domain: i.domain,
    title: i.title,
    version: i.version,
    source_url: "https://github.com/mastodon/mastodon",
    description: "A Mastodon API test server.",
    usage: { users: { active_month: i.userCount } },
    thumbnail: { url: `https://${i.domain}/packs/media/images/preview.png` },
    icon: [],
    languages: ["en"],
    configuration: {
      urls: { streaming: i.streamingUrl, status: null },
      vapid: { public_key: "" },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: statusesConfig(i),
      media_attachments: mediaConfig(i),
      polls: pollsConfig(i),
      translation: { enabled: false },
    },
    registrations: { enabled: false, approval_required: false, message: null, url: null },
    api_versions: { mastodon: 2 },
    contact: { email: `admin@${i.domain}`, account: i.contactAccount },
    rules: [],
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** DomainBlock entities; the digest is the SHA-256 of the domain. */
export async function domainBlockEntities(blocks: readonly DomainBlockInput[]): Promise<Json[]> {
  return await Promise.all(blocks.map(async (b) => ({
    domain: b.domain,
    digest: await sha256Hex(b.domain),
    severity: b.severity ?? "suspend",
    comment: b.comment ?? null,
  })));
}

/** `GET /.well-known/nodeinfo`. */
export function nodeinfoDiscovery(i: InstanceInfo): Json {
  return {
    links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: i.nodeinfoUrl }],
  };
}

/** `GET /nodeinfo/2.0`. */
export function nodeinfo(i: InstanceInfo): Json {
  return {
    version: "2.0",
    software: { name: i.software.name, version: i.software.version },
    protocols: ["activitypub"],
    services: { outbound: [], inbound: [] },
    usage: {
      users: { total: i.userCount, activeMonth: i.userCount, activeHalfyear: i.userCount },
      localPosts: i.statusCount,
    },
    openRegistrations: false,
    metadata: { nodeName: i.title, nodeDescription: "" },
  };
}
