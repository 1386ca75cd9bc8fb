// Vite's raw imports (the README, for the test that keeps its plan table true).
declare module "*?raw" {
  const text: string;
  export default text;
}
