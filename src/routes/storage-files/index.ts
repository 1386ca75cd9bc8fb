import type { RouteModule } from "../../lib/route";
import { downloadFile, downloadStorageFile } from "./download";
import { uploadStorageFile } from "./upload";

/** Storage files' bytes: the multipart upload and the downloads (the records are the `files` kind). */
export const storageFileRoutes: RouteModule[] = [uploadStorageFile, downloadStorageFile, downloadFile];
