/** The release of every package, image and chart of the project (a unit test keeps them equal). */
export const VERSION = '0.1.0';
