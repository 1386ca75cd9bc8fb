import { EMAIL_VERIFY_SCRIPT, registerEmailVerifyPage, verifyEmail } from "./email-verify";
import { login } from "./login";
import { logout } from "./logout";
import { registerPageAssets } from "./pages";
import { passwordForgot } from "./password-forgot";
import { PASSWORD_RESET_SCRIPT, passwordResetForm, resetPassword } from "./password-reset";
import { signup } from "./signup";
import { cancelUnregister, unregister } from "./unregister";

export const authRoutes = [
  login,
  logout,
  signup,
  verifyEmail,
  passwordForgot,
  passwordResetForm,
  resetPassword,
  unregister,
  cancelUnregister,
];

/** The pages mail links open (outside the OpenAPI routes: the verify page and the assets). */
export function registerAuthPages(app: Parameters<typeof registerPageAssets>[0]) {
  registerEmailVerifyPage(app);
  registerPageAssets(app, {
    "/auth/email-verify.js": EMAIL_VERIFY_SCRIPT,
    "/auth/password-reset.js": PASSWORD_RESET_SCRIPT,
  });
}
