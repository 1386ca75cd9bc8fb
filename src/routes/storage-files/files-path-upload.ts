/**
 * The Go SDK's `PostFiles` uploads multipart to `/v1.0/files`, the older name of
 * `/v1.0/storage_files`. Such a request is the upload, so it is routed there before anything else
 * sees it (auth, limits and validation then run once, as for the contract's path). JSON bodies on
 * `/v1.0/files` keep their own create route.
 */
export function routeFilesPathUpload(request: Request): Request {
  if (request.method !== "POST" || !/^multipart\/form-data\b/i.test(request.headers.get("Content-Type") ?? ""))
    return request;
  const url = new URL(request.url);
  if (url.pathname !== "/v1.0/files") return request;
  url.pathname = "/v1.0/storage_files";
  return new Request(url, request);
}
