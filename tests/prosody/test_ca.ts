/**
 * A throw-away certificate authority for tests, made with the `openssl` command line tool.
 *
 * `createTestCa` writes a CA (key + self-signed certificate) into a directory;
 * `issueServerCert` signs a server certificate with it for a set of DNS names and IP addresses.
 * Keys are P-256 (fast to generate); certificates live two days, which is plenty for a test run.
 *
 * @module
 */

/** A certificate authority on disk. */
export interface TestCa {
  /** PEM file of the CA certificate: what a client must trust. */
  readonly certFile: string;
  /** PEM file of the CA private key. */
  readonly keyFile: string;
  /** The CA certificate as PEM text. */
  readonly certPem: string;
}

/** A server certificate signed by a {@linkcode TestCa}. */
export interface ServerCert {
  /** PEM file of the server certificate. */
  readonly certFile: string;
  /** PEM file of the server private key (mode 0600). */
  readonly keyFile: string;
}

/** What the server certificate is valid for. */
export interface ServerCertOptions {
  /** DNS names; the first one becomes the subject common name. */
  readonly dnsNames: readonly string[];
  /** IP addresses, e.g. `127.0.0.1`. */
  readonly ipAddresses?: readonly string[];
}

const VALID_DAYS = "2";

/** Run `openssl` with the given arguments; throw with its error output on failure. */
async function openssl(args: readonly string[], cwd: string): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("openssl", {
      args: [...args],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "The `openssl` command is missing; install the Debian package `openssl` to run these tests.",
      );
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`openssl ${args[0]} failed (exit ${output.code}): ${stderr}`);
  }
}

async function newKey(dir: string, name: string): Promise<string> {
  const file = `${dir}/${name}`;
  await openssl(
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file],
    dir,
  );
  await Deno.chmod(file, 0o600);
  return file;
}

/**
 * Create a new certificate authority in `dir` (which must exist).
 * `name` distinguishes the files, so that several CAs can share a directory.
 */
export async function createTestCa(dir: string, name = "test-ca"): Promise<TestCa> {
  const keyFile = await newKey(dir, `${name}.key`);
  const certFile = `${dir}/${name}.crt`;
  await openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    keyFile,
    "-sha256",
    "-days",
    VALID_DAYS,
    "-subj",
    `/O=xmpp-ap-bridge tests/CN=${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    certFile,
  ], dir);
  const certPem = await Deno.readTextFile(certFile);
  return { certFile, keyFile, certPem };
}

/** Issue a server certificate signed by `ca`, written into `dir` as `<name>.crt` and `<name>.key`. */
export async function issueServerCert(
  ca: TestCa,
  dir: string,
  options: ServerCertOptions,
  name = "server",
): Promise<ServerCert> {
  const commonName = options.dnsNames[0];
  if (commonName === undefined) throw new Error("a server certificate needs a DNS name");
  const keyFile = await newKey(dir, `${name}.key`);
  const csrFile = `${dir}/${name}.csr`;
  const extFile = `${dir}/${name}.ext`;
  const certFile = `${dir}/${name}.crt`;
  const altNames = [
    ...options.dnsNames.map((dns) => `DNS:${dns}`),
    ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  await Deno.writeTextFile(
    extFile,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      `subjectAltName=${altNames.join(",")}`,
      "",
    ].join("\n"),
  );
  await openssl(
    ["req", "-new", "-key", keyFile, "-subj", `/CN=${commonName}`, "-out", csrFile],
    dir,
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    csrFile,
    "-CA",
    ca.certFile,
    "-CAkey",
    ca.keyFile,
    "-CAcreateserial",
    "-days",
    VALID_DAYS,
    "-sha256",
    "-extfile",
    extFile,
    "-out",
    certFile,
  ], dir);
  await Deno.remove(csrFile);
  await Deno.remove(extFile);
  return { certFile, keyFile };
}
