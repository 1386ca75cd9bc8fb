import { login } from "./login";

export const authRoutes = [login];
