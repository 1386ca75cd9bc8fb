import { verifyEmail } from "./email-verify";
import { login } from "./login";
import { signup } from "./signup";
import { cancelUnregister, unregister } from "./unregister";

export const authRoutes = [login, signup, verifyEmail, unregister, cancelUnregister];
export { registerEmailVerifyPage } from "./email-verify";
